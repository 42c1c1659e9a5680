# Functions to run real Tomcat 10 instances from Debian's tomcat10 package, one CATALINA_BASE
# per instance in a temporary directory, AJP bound to a loopback address, jvmRoute set.
# Source this file; every process started is recorded by PID and stopped by PID.

TOMCAT_HOME=${TOMCAT_HOME:-/usr/share/tomcat10}
SJK_TESTS_DIR=${SJK_TESTS_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}

# tomcat_start NAME ADDRESS AJP_PORT HTTP_PORT JVM_ROUTE SECRET(empty: secretRequired=false) BASE_DIR
tomcat_start() {
    local name=$1 address=$2 ajp_port=$3 http_port=$4 route=$5 secret=$6 base=$7/$1
    mkdir -p "$base"/{conf,logs,temp,work,webapps}
    cp /etc/tomcat10/web.xml /etc/tomcat10/catalina.properties /etc/tomcat10/context.xml "$base/conf/"
    cat > "$base/conf/logging.properties" <<'PROPS'
handlers = java.util.logging.ConsoleHandler
.level = WARNING
java.util.logging.ConsoleHandler.level = WARNING
PROPS
    local secret_attrs='secretRequired="false"'
    [ -n "$secret" ] && secret_attrs="secretRequired=\"true\" secret=\"$secret\""
    cat > "$base/conf/server.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<Server port="-1" shutdown="SHUTDOWN">
  <Service name="Catalina">
    <Connector port="$http_port" address="$address" protocol="HTTP/1.1" connectionTimeout="20000"/>
    <Connector port="$ajp_port" address="$address" protocol="AJP/1.3" $secret_attrs
               maxThreads="64" allowedRequestAttributesPattern="SJK_.*|MYVAR|DEFVAR"/>
    <Engine name="Catalina" defaultHost="localhost" jvmRoute="$route">
      <Host name="localhost" appBase="webapps" unpackWARs="false" autoDeploy="false"/>
    </Engine>
  </Service>
</Server>
XML
    mkdir -p "$base/webapps/ROOT"
    cp -r "$SJK_TESTS_DIR/webapp/." "$base/webapps/ROOT/"
    printf '%s' "$name" > "$base/webapps/ROOT/node.txt"
    CATALINA_HOME=$TOMCAT_HOME CATALINA_BASE=$base CATALINA_TMPDIR=$base/temp \
        JAVA_OPTS="-Xms64m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.security.egd=file:/dev/./urandom" \
        setsid java -Xms64m -Xmx256m -XX:+UseSerialGC -Djava.util.logging.config.file="$base/conf/logging.properties" \
        -Dcatalina.home=$TOMCAT_HOME -Dcatalina.base=$base -Djava.io.tmpdir=$base/temp \
        -classpath "$TOMCAT_HOME/bin/bootstrap.jar:$TOMCAT_HOME/bin/tomcat-juli.jar" \
        org.apache.catalina.startup.Bootstrap start > "$base/logs/console.log" 2>&1 &
    echo $! > "$base/tomcat.pid"
}

# tomcat_wait ADDRESS HTTP_PORT [SECONDS]: waits until the JSP app answers over HTTP.
tomcat_wait() {
    local address=$1 port=$2 limit=${3:-90} i
    for ((i = 0; i < limit * 4; i++)); do
        if curl -fsS -o /dev/null --max-time 5 "http://$address:$port/index.jsp"; then return 0; fi
        sleep 0.25
    done
    echo "Tomcat on $address:$port did not come up in ${limit}s" >&2
    return 1
}

# tomcat_stop NAME BASE_DIR
tomcat_stop() {
    local pidfile=$2/$1/tomcat.pid
    [ -f "$pidfile" ] || return 0
    local pid; pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null && { for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done; }
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$pidfile"
}
