<%@ page contentType="application/octet-stream" session="false" buffer="none" %><%!
    // 102400 bytes, byte i = 'a' + i % 26 (the same bytes as the static ceiling's big100k.txt).
    static final byte[] BODY = new byte[102400];
    static { for (int i = 0; i < BODY.length; i++) BODY[i] = (byte) ('a' + (i % 26)); }
%><%
    response.setContentLength(BODY.length);
    java.io.OutputStream os = response.getOutputStream();
    os.write(BODY);
    os.flush();
%>