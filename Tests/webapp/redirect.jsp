<%@ page session="false" %><% response.sendRedirect("/index.jsp?from=redirect"); %>
