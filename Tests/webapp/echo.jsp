<%@ page contentType="text/plain" session="false" import="java.security.MessageDigest" %><%
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    java.io.InputStream in = request.getInputStream();
    byte[] buf = new byte[65536];
    long total = 0;
    int n;
    while ((n = in.read(buf)) > 0) { md.update(buf, 0, n); total += n; }
    StringBuilder hex = new StringBuilder();
    for (byte b : md.digest()) hex.append(String.format("%02x", b));
%>length=<%= total %> sha256=<%= hex %>
