import CJKCore
import Testing
@testable import JKCore

/// §9.5.1: session id extraction, byte for byte as mod_jk 1.2.48 (T47 cookie forms, T48 path
/// parameter wins, T49 JK_ROUTE).
@Suite struct SessionIdentifierTests {
    /// The lookup's result as text: "none", "empty", or the id.
    private func lookup(uri: String = "/app/x", cookies: [String] = [], route: String? = nil,
                        cookieName: String = "JSESSIONID", pathName: String = ";jsessionid") -> String {
        let buffers = cookies.map { text -> UnsafeMutableRawBufferPointer in
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: text.utf8.count, alignment: 1)
            buffer.copyBytes(from: text.utf8)
            return buffer
        }
        defer { buffers.forEach { $0.deallocate() } }
        var uri = uri, cookieName = cookieName, pathName = pathName
        return uri.withUTF8 { uriBytes in
            cookieName.withUTF8 { cookieBytes in
                pathName.withUTF8 { pathBytes in
                    func run(_ routeBytes: UnsafeRawBufferPointer?) -> String {
                        let result = SessionIdentifier.lookup(
                            environmentRoute: routeBytes, uri: UnsafeRawBufferPointer(uriBytes),
                            cookieHeaders: buffers.map { UnsafeRawBufferPointer($0) },
                            cookieName: UnsafeRawBufferPointer(cookieBytes),
                            pathName: UnsafeRawBufferPointer(pathBytes))
                        switch result {
                        case .none: return "none"
                        case .empty: return "empty"
                        case .found(let id): return id.text
                        }
                    }
                    guard var routeText = route else { return run(nil) }
                    return routeText.withUTF8 { run(UnsafeRawBufferPointer($0)) }
                }
            }
        }
    }

    // T47: every cookie form observed with mod_jk.

    @Test func plainCookieValue() {
        #expect(lookup(cookies: ["JSESSIONID=ABC.node2"]) == "ABC.node2")
    }

    @Test func quotedCookieValueLosesItsQuotes() {
        #expect(lookup(cookies: ["JSESSIONID=\"ABC.node2\""]) == "ABC.node2")
        #expect(lookup(cookies: ["JSESSIONID=\"\""]) == "empty")
        #expect(lookup(cookies: ["JSESSIONID=\""]) == "\"")
        #expect(lookup(cookies: ["JSESSIONID=\"ABC.node2"]) == "\"ABC.node2")
    }

    @Test func allMatchingCookiesAreJoinedWithSemicolons() {
        #expect(lookup(cookies: ["JSESSIONID=ABC.nodeX; JSESSIONID=DEF.node2"]) == "ABC.nodeX;DEF.node2")
        #expect(lookup(cookies: ["JSESSIONID=A.n1", "x=1", "JSESSIONID=B.n2;JSESSIONID=C.n3"]) == "A.n1;B.n2;C.n3")
    }

    @Test func cookieAfterCommaCounts() {
        #expect(lookup(cookies: ["a=1,JSESSIONID=ABC.node1"]) == "ABC.node1")
        #expect(lookup(cookies: ["JSESSIONID=ABC.node1,b=2"]) == "ABC.node1")
    }

    @Test func spacesBeforeEqualsAreSkippedAndAfterAreKept() {
        #expect(lookup(cookies: ["JSESSIONID = ABC.node1"]) == " ABC.node1")
        #expect(lookup(cookies: ["a=1;\tJSESSIONID\t=X.n1"]) == "X.n1")
    }

    @Test func cookieNameIsCaseSensitive() {
        #expect(lookup(cookies: ["jsessionid=ABC.node2"]) == "none")
    }

    @Test func cookieNameMustStartAfterASeparator() {
        #expect(lookup(cookies: ["XJSESSIONID=ABC.node1"]) == "none")
        #expect(lookup(cookies: ["XJSESSIONID=ABC.node1; JSESSIONID=D.n2"]) == "D.n2")
        #expect(lookup(cookies: ["JSESSIONIDX=ABC.node1"]) == "none")
    }

    @Test func emptyCookieValueIsNoSession() {
        #expect(lookup(cookies: ["JSESSIONID=;x=1"]) == "empty")
        #expect(lookup(cookies: ["JSESSIONID=,x=1"]) == "empty")
    }

    @Test func cookieWithNothingAfterEqualsIsSkipped() {
        #expect(lookup(cookies: ["JSESSIONID="]) == "none")
        #expect(lookup(cookies: ["JSESSIONID=", "JSESSIONID=A.n1"]) == "A.n1")
        #expect(lookup(cookies: ["JSESSIONID"]) == "none")
        #expect(lookup(cookies: ["JSESSIONID;JSESSIONID=A.n1"]) == "A.n1")
    }

    @Test func twoEmptyCookiesAreAPresentIdWithoutRoutes() {
        // mod_jk joins "" and "" into ";", which is not empty: a session id is present.
        #expect(lookup(cookies: ["JSESSIONID=;JSESSIONID=;"]) == ";")
        #expect(lookup(cookies: ["JSESSIONID=;JSESSIONID=A.n1"]) == ";A.n1")
    }

    @Test func routelessCookieIsStillASessionID() {
        #expect(lookup(cookies: ["JSESSIONID=node1"]) == "node1")
        #expect(lookup(cookies: ["JSESSIONID=.node1"]) == ".node1")
    }

    @Test func customCookieName() {
        #expect(lookup(cookies: ["SID=A.n1; JSESSIONID=B.n2"], cookieName: "SID") == "A.n1")
    }

    @Test func emptyCookieNameMatchesLikeStrstr() {
        // strstr(value, "") matches at the start: the value after '=' is taken.
        #expect(lookup(cookies: ["=A.n1"], cookieName: "") == "A.n1")
        #expect(lookup(cookies: ["abc"], cookieName: "") == "none")
    }

    // T48: the path parameter wins over the cookie.

    @Test func pathParameterWinsOverCookie() {
        #expect(lookup(uri: "/app/x;jsessionid=XYZ.node1", cookies: ["JSESSIONID=ABC.node2"]) == "XYZ.node1")
    }

    @Test func pathParameterEndsAtQuerySemicolonOrSlash() {
        #expect(lookup(uri: "/app;jsessionid=A.n1/x") == "A.n1")
        #expect(lookup(uri: "/app;jsessionid=A.n1;other=1") == "A.n1")
        #expect(lookup(uri: "/app;jsessionid=A.n1?q=1") == "A.n1")
        #expect(lookup(uri: "/a;jsessionid=A.n1/b;jsessionid=B.n2") == "A.n1")
    }

    @Test func pathParameterNameIsCaseSensitiveAndNeedsEquals() {
        #expect(lookup(uri: "/app;JSESSIONID=A.n1") == "none")
        #expect(lookup(uri: "/app;jsessionidx=A.n1;jsessionid=B.n2") == "B.n2")
    }

    @Test func emptyPathParameterHidesTheCookie() {
        // get_path_param returns "" (not NULL), so the cookie is not consulted and the id is empty.
        #expect(lookup(uri: "/app;jsessionid=;x", cookies: ["JSESSIONID=A.n2"]) == "empty")
        #expect(lookup(uri: "/app;jsessionid=/x", cookies: ["JSESSIONID=A.n2"]) == "empty")
    }

    @Test func pathParameterAtTheVeryEndIsIgnored() {
        #expect(lookup(uri: "/app;jsessionid=", cookies: ["JSESSIONID=A.n2"]) == "A.n2")
    }

    @Test func ruleExtensionPathNameWithoutSemicolonMatchesAnywhere() {
        // session_path=;jsessionid as a rule extension is stored as "jsessionid" (mod_jk too).
        #expect(lookup(uri: "/xjsessionid=A.n1", pathName: "jsessionid") == "A.n1")
    }

    // T49: JK_ROUTE.

    @Test func environmentRouteForcesTheRoute() {
        #expect(lookup(uri: "/app/force2;jsessionid=A.n1", cookies: ["JSESSIONID=B.n1"], route: "node2") == ".node2")
        #expect(lookup(route: "") == "none")
    }

    @Test func routesOfCandidatesFollowTheFirstDot() {
        #expect(session("ABC.node2").routes == ["node2"])
        #expect(session("ABC.node2.extra").routes == ["node2.extra"])
        #expect(session(".node1").routes == ["node1"])
        #expect(session("node1").routes == [])
        #expect(session("ABC.nodeX;DEF.node2").routes == ["nodeX", "node2"])
        #expect(session("A.n1;").routes == ["n1"])
        #expect(session(";;A.").routes == [""])
    }

    @Test func forcedRouteIsDotPlusValue() {
        var value = "node2;x.node3"
        let routes = value.withUTF8 { SessionID(forcedRoute: UnsafeRawBufferPointer($0)).routes }
        #expect(routes == ["node2", "node3"])
    }

    @Test func cookieHeadersAreFoundByNameIgnoringCase() {
        let texts: [(String, String)] = [("Cookie", "a=1"), ("COOKIE", "b=2"), ("Cookie2", "c=3"), ("Accept", "d")]
        var keep: [UnsafeMutableRawBufferPointer] = []
        defer { keep.forEach { $0.deallocate() } }
        func view(_ text: String) -> sjk_str_t {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: text.utf8.count, alignment: 1)
            buffer.copyBytes(from: text.utf8)
            keep.append(buffer)
            return sjk_str_t(UnsafeRawBufferPointer(buffer))
        }
        let pairs = texts.map { sjk_pair_t(name: view($0.0), value: view($0.1)) }
        let values = pairs.withUnsafeBufferPointer { headers in
            SessionIdentifier.cookieHeaders(in: headers).map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(values == ["a=1", "b=2"])
    }
}
