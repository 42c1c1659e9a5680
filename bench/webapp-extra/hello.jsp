<%@ page contentType="text/plain" session="false" %>Hello from JSP!!
