<%@ page contentType="text/plain" %><%
    Integer count = (Integer) session.getAttribute("count");
    count = count == null ? 1 : count + 1;
    session.setAttribute("count", count);
%>count=<%= count %>
session=<%= session.getId() %>
route=<%= new String(java.nio.file.Files.readAllBytes(java.nio.file.Paths.get(application.getRealPath("/node.txt")))) %>
