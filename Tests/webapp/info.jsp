<%@ page contentType="text/plain; charset=UTF-8" session="false" %>method=<%= request.getMethod() %>
uri=<%= request.getRequestURI() %>
query=<%= request.getQueryString() %>
remote=<%= request.getRemoteAddr() %>
remotePort=<%= request.getRemotePort() %>
server=<%= request.getServerName() %>:<%= request.getServerPort() %>
secure=<%= request.isSecure() %>
scheme=<%= request.getScheme() %>
localAddr=<%= request.getLocalAddr() %>
route=<%= new String(java.nio.file.Files.readAllBytes(java.nio.file.Paths.get(application.getRealPath("/node.txt")))) %>
