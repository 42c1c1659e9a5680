/// The health-check probe attributes of an lb (SwiftJK): `health_check_uri`, `health_check_status`,
/// `health_check_healthy`. A bad URI or status is a configtest error naming the line.
extension WorkerPropertyReader {
    func readHealthCheckProbe(into settings: inout LoadBalancerSettings, log: inout DiagnosticLog) {
        settings.healthCheckHealthy = boolean("health_check_healthy", default: false, log: &log)
        if let property = property("health_check_uri") {
            let uri = property.value
            let bytes = Array(uri.utf8)
            if bytes.first == UInt8(ascii: "/"), !bytes.contains(where: { $0 <= 0x20 || $0 == 0x7F }),
               bytes.count <= 1024 {
                settings.healthCheckURI = uri
            } else {
                log.error(.invalidHealthCheckURI,
                          "'\(property.key)=\(uri)': the health check URI must be a path starting with '/' "
                              + "(at most 1024 bytes, no spaces or control characters), e.g. /health.jsp",
                          at: property.location)
            }
        }
        if let property = property("health_check_status") {
            if let status = Int(property.value), (100...599).contains(status) {
                settings.healthCheckStatus = status
            } else {
                log.error(.invalidHealthCheckStatus,
                          "'\(property.key)=\(property.value)': the expected health check status must be an HTTP "
                              + "status from 100 to 599, e.g. 200", at: property.location)
            }
        }
    }
}
