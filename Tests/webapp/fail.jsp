<%@ page session="false" %><% response.sendError(500, "Internal Oops"); %>
