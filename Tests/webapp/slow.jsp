<%@ page contentType="text/plain" session="false" %><%
    int ms = Integer.parseInt(request.getParameter("ms") == null ? "200" : request.getParameter("ms"));
    Thread.sleep(Math.min(ms, 10000));
%>slept=<%= ms %>
route=<%= new String(java.nio.file.Files.readAllBytes(java.nio.file.Paths.get(application.getRealPath("/node.txt")))) %>
