extension AJPEndpoint.Settings {
    /// Effective runtime settings of an ajp13 worker, with the MPM's threads per child as the
    /// default pool size and every unit normalised to milliseconds (reference §7.3).
    /// `inheritedSecret` is the balancer's secret for members without their own.
    public init(_ worker: AJPWorkerSettings, threadsPerChild: Int, inheritedSecret: String? = nil) {
        self.init()
        maxPacketSize = worker.maxPacketSize
        retries = max(worker.retries, 1)
        retryIntervalMs = max(worker.retryInterval, 0)
        socketTimeoutSeconds = max(worker.socketTimeout, 0)
        connectTimeoutMs = worker.socketConnectTimeout > 0
            ? worker.socketConnectTimeout
            : socketTimeoutSeconds.multipliedReportingOverflow(by: 1000).partialValue
        keepAlive = worker.socketKeepalive
        socketBuffer = worker.socketBuffer > 0 ? max(worker.socketBuffer, worker.maxPacketSize) : 0
        connectPingTimeoutMs = worker.connectTimeout > 0 ? worker.connectTimeout
            : (worker.pingMode.contains(.connect) ? worker.pingTimeout : 0)
        prepostPingTimeoutMs = worker.prepostTimeout > 0 ? worker.prepostTimeout
            : (worker.pingMode.contains(.prepost) ? worker.pingTimeout : 0)
        replyTimeoutMs = max(worker.replyTimeout, 0)
        recoveryOptions = UInt32(truncatingIfNeeded: worker.recoveryOptions.rawValue)
        replayWholeBody = worker.replayWholeBody
        failOnStatus = worker.failOnStatus
        acquireTimeoutMs = max(worker.connectionAcquireTimeout, 0)
        poolIdleTimeoutMs = max(worker.connectionPoolTimeout, 0).multipliedReportingOverflow(by: 1000).partialValue
        poolSize = max(worker.connectionPoolSize ?? threadsPerChild, 1)
        poolMinSize = worker.connectionPoolMinSize ?? (poolSize + 1) / 2
        pingTimeoutMs = max(worker.pingTimeout, 0)
        busyLimit = max(worker.busyLimit, 0)
        idlePingIntervalMs = worker.pingMode.contains(.interval)
            ? max(worker.connectionPingInterval, 0).multipliedReportingOverflow(by: 1000).partialValue : 0
        if let secret = worker.secret ?? inheritedSecret { self.secret = Array(secret.utf8) }
    }
}
