@main struct AJPTestBackendMain { static func main() {} }
