<%@ page contentType="text/plain" %>session=<%= session.getId() %>
route=<%= new String(java.nio.file.Files.readAllBytes(java.nio.file.Paths.get(application.getRealPath("/node.txt")))) %>
