<%@ page contentType="application/octet-stream" session="false" buffer="none" %><%
    int size = Integer.parseInt(request.getParameter("size") == null ? "10485760" : request.getParameter("size"));
    byte[] block = new byte[65536];
    for (int i = 0; i < block.length; i++) block[i] = (byte) ('a' + (i % 26));
    response.setContentLength(size);
    java.io.OutputStream os = response.getOutputStream();
    int left = size;
    while (left > 0) { int n = Math.min(left, block.length); os.write(block, 0, n); left -= n; }
    os.flush();
%>
