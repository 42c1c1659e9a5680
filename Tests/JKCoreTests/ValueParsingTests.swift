import Testing
@testable import JKCore

/// The 1.2.48 value rules of reference §6.5.
@Suite struct ValueParsingTests {
    @Test(arguments: [
        ("28009", 28009), ("0", 0), ("-5", -5), ("+7", 7),
        ("16k", 16384), ("16K", 16384), ("2m", 2_097_152), ("2M", 2_097_152),
    ])
    func readsWellFormedIntegers(text: String, value: Int) {
        let reading = PropertyValueParser.integer(text)
        #expect(reading == .init(value: value, isWellFormed: true, isInRange: true))
    }

    @Test(arguments: [
        ("abc", 0), ("abck", 0), ("100ms", 100), ("1*2", 1), ("30*45", 30), ("12 k", 12288),
        ("k", 0), ("-", 0), ("0x10", 0), ("5.5", 5), ("8k5", 8),
    ])
    func readsGarbageLikeAtoiTimesLastCharacter(text: String, value: Int) {
        let reading = PropertyValueParser.integer(text)
        #expect(reading.value == value)
        #expect(!reading.isWellFormed)
    }

    @Test func wrapsTo32BitsLikeCInt() {
        #expect(PropertyValueParser.integer("4294967297") == .init(value: 1, isWellFormed: true, isInRange: false))
        #expect(PropertyValueParser.integer("2147483647").isInRange)
        #expect(PropertyValueParser.integer("-2147483648") == .init(value: -2_147_483_648, isWellFormed: true,
                                                                    isInRange: true))
        // strtol saturates at LONG_MAX, whose low 32 bits are -1.
        #expect(PropertyValueParser.integer("99999999999999999999999").value == -1)
        #expect(PropertyValueParser.integer("-99999999999999999999999").value == 0)
        // 4096 MiB does not fit an int: 4096 * 1048576 wraps to 0.
        #expect(PropertyValueParser.integer("4096m") == .init(value: 0, isWellFormed: true, isInRange: false))
    }

    @Test(arguments: ["True", "TRUE", "true", "yes", "yes-please", "Y", "on", "ON", "On", "1", "t"])
    func readsTrue(text: String) {
        #expect(PropertyValueParser.boolean(text) == true)
    }

    @Test(arguments: ["False", "false", "no", "No", "n", "off", "OFF", "0", "f", "nonsense"])
    func readsFalse(text: String) {
        #expect(PropertyValueParser.boolean(text) == false)
    }

    @Test(arguments: ["2", "10", "maybe", "enabled", "01", "o", ""])
    func leavesUnrecognisedBooleansToTheDefault(text: String) {
        #expect(PropertyValueParser.boolean(text) == nil)
    }

    @Test func splitsListsOnSpaceTabAndComma() {
        #expect(PropertyValueParser.list("a,b c\td") == ["a", "b", "c", "d"])
        #expect(PropertyValueParser.list(",,a,, ,b,") == ["a", "b"])
        #expect(PropertyValueParser.list("tomcat1,\\") == ["tomcat1", "\\"])
        #expect(PropertyValueParser.list(", \t").isEmpty)
    }

    @Test func readsIntegerListsWithoutMultiplier() {
        let readings = PropertyValueParser.integerList("500, -503,404k x")
        #expect(readings.map(\.value) == [500, -503, 404, 0])
        #expect(readings.map(\.isWellFormed) == [true, true, false, false])
    }

    @Test func decidesMethodByFirstCharacter() {
        #expect(LoadBalancerMethod(propertyValue: "Request") == .request)
        #expect(LoadBalancerMethod(propertyValue: "0") == .request)
        #expect(LoadBalancerMethod(propertyValue: "traffic") == .traffic)
        #expect(LoadBalancerMethod(propertyValue: "1") == .traffic)
        #expect(LoadBalancerMethod(propertyValue: "B") == .busyness)
        #expect(LoadBalancerMethod(propertyValue: "Session") == .sessions)
        #expect(LoadBalancerMethod(propertyValue: "sessions") == .sessions)
        #expect(LoadBalancerMethod(propertyValue: "3") == .sessions)
        #expect(LoadBalancerMethod(propertyValue: "Next") == .next)
        #expect(LoadBalancerMethod(propertyValue: "4") == .next)
        #expect(LoadBalancerMethod(propertyValue: "xyz") == nil)
        #expect(LoadBalancerMethod(propertyValue: "5") == nil)
    }

    @Test func decidesLockAndActivationByFirstCharacter() {
        #expect(LoadBalancerLock(propertyValue: "Optimistic") == .optimistic)
        #expect(LoadBalancerLock(propertyValue: "p") == .pessimistic)
        #expect(LoadBalancerLock(propertyValue: "1") == .pessimistic)
        #expect(LoadBalancerLock(propertyValue: "x") == nil)
        #expect(MemberActivation(propertyValue: "Active") == .active)
        #expect(MemberActivation(propertyValue: "disabled") == .disabled)
        #expect(MemberActivation(propertyValue: "1") == .disabled)
        #expect(MemberActivation(propertyValue: "STOPPED") == .stopped)
        #expect(MemberActivation(propertyValue: "2") == .stopped)
        #expect(MemberActivation(propertyValue: "x") == nil)
    }

    @Test func collectsPingModeLetters() {
        #expect(PingMode(propertyValue: "C") == .connect)
        #expect(PingMode(propertyValue: "cp") == [.connect, .prepost])
        #expect(PingMode(propertyValue: "I") == .interval)
        #expect(PingMode(propertyValue: "A") == .all)
        #expect(PingMode(propertyValue: "xAz") == .all)
        #expect(PingMode(propertyValue: "C-I") == [.connect, .interval])
        #expect(PingMode(propertyValue: "none") == nil)
        #expect(PingMode(propertyValue: "xyz") == nil)
    }

    @Test func roundsAndClampsPacketSizes() {
        #expect(WorkerPropertyReader.packetSize(9000) == 9216)
        #expect(WorkerPropertyReader.packetSize(100_000) == 65536)
        #expect(WorkerPropertyReader.packetSize(4096) == 8192)
        #expect(WorkerPropertyReader.packetSize(16384) == 16384)
        #expect(WorkerPropertyReader.packetSize(-5) == 8192)
        #expect(WorkerPropertyReader.packetSize(Int(Int32.max)) == 8192)
    }
}
