<%@ page contentType="text/html; charset=UTF-8" session="false" %><!DOCTYPE html>
<html><head><title>SwiftJK demo</title></head>
<body>
<h1>Hello from Tomcat through SwiftJK</h1>
<ul>
<li>Tomcat node (jvmRoute): <b><%= new String(java.nio.file.Files.readAllBytes(java.nio.file.Paths.get(application.getRealPath("/node.txt")))) %></b></li>
<li>Request URI: <%= request.getRequestURI() %></li>
<li>Query string: <%= request.getQueryString() %></li>
<li>Remote address: <%= request.getRemoteAddr() %>:<%= request.getRemotePort() %></li>
<li>Server name and port: <%= request.getServerName() %>:<%= request.getServerPort() %></li>
<li>Secure: <%= request.isSecure() %></li>
</ul>
</body></html>
