<%@ page contentType="text/plain" session="false" buffer="none" %><%
    // Reads and discards the request body; answers "read=<bytes>\n".
    java.io.InputStream in = request.getInputStream();
    byte[] buf = new byte[65536];
    long total = 0;
    int n;
    while ((n = in.read(buf)) > 0) total += n;
    byte[] answer = ("read=" + total + "\n").getBytes("ISO-8859-1");
    response.setContentLength(answer.length);
    java.io.OutputStream os = response.getOutputStream();
    os.write(answer);
%>