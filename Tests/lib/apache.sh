# Functions to run a real Apache httpd (Debian's apache2 binary) with a generated configuration
# on a loopback port, never the system service. Source this file.

APACHE_MODULES=${APACHE_MODULES:-/usr/lib/apache2/modules}

# apache_write_conf DIR PORT MPM CONNECTOR EXTRA_CONF_FILE
#   CONNECTOR: swiftjk (our module, SWIFTJK_SO), modjk (Debian's mod_jk), proxy (mod_proxy_ajp)
apache_write_conf() {
    local dir=$1 port=$2 mpm=$3 connector=$4 extra=$5
    mkdir -p "$dir/logs" "$dir/htdocs"
    chmod 755 "$dir" "$dir/htdocs"
    printf 'static hello file\n' > "$dir/htdocs/static.txt"
    {
        echo "ServerRoot $dir"
        echo "PidFile $dir/logs/httpd.pid"
        echo "ServerName 127.0.0.1"
        echo "Listen 127.0.0.1:$port"
        echo "LoadModule mpm_${mpm}_module $APACHE_MODULES/mod_mpm_${mpm}.so"
        for m in authz_core authz_host mime setenvif env headers dir; do
            echo "LoadModule ${m}_module $APACHE_MODULES/mod_${m}.so"
        done
        case $connector in
            swiftjk) echo "LoadModule jk_module ${SWIFTJK_SO:?}" ;;
            modjk) echo "LoadModule jk_module $APACHE_MODULES/mod_jk.so" ;;
            proxy) echo "LoadModule proxy_module $APACHE_MODULES/mod_proxy.so"
                   echo "LoadModule proxy_ajp_module $APACHE_MODULES/mod_proxy_ajp.so"
                   echo "LoadModule proxy_balancer_module $APACHE_MODULES/mod_proxy_balancer.so"
                   echo "LoadModule slotmem_shm_module $APACHE_MODULES/mod_slotmem_shm.so"
                   echo "LoadModule lbmethod_byrequests_module $APACHE_MODULES/mod_lbmethod_byrequests.so" ;;
        esac
        echo "User www-data"
        echo "Group www-data"
        echo "ErrorLog $dir/logs/error.log"
        echo "LogLevel warn"
        echo "LogFormat \"%h %r %>s %b %{JK_WORKER_NAME}n\" jk"
        echo "CustomLog $dir/logs/access.log jk"
        echo "DocumentRoot $dir/htdocs"
        echo "TypesConfig /etc/mime.types"
        echo "<Directory $dir/htdocs>"
        echo "    Require all granted"
        echo "</Directory>"
        case $mpm in
            prefork) echo "StartServers 4"; echo "MinSpareServers 4"; echo "MaxSpareServers 8" ;;
            event|worker) echo "StartServers 2"; echo "ThreadsPerChild 16"; echo "MaxRequestWorkers 64"
                          echo "ServerLimit 4"; echo "ThreadLimit 16"; echo "MinSpareThreads 16"
                          echo "MaxSpareThreads 64" ;;
        esac
        [ -n "$extra" ] && cat "$extra"
    } > "$dir/httpd.conf"
}

# apache_configtest DIR: runs `apache2 -t` on the generated configuration.
apache_configtest() {
    apache2 -f "$1/httpd.conf" -t 2>&1
}

# apache_start DIR PORT: starts httpd in the foreground (background job), waits for the port.
apache_start() {
    local dir=$1 port=$2 i
    apache2 -f "$dir/httpd.conf" -DFOREGROUND > "$dir/logs/stdout.log" 2>&1 &
    echo $! > "$dir/apache.pid"
    for ((i = 0; i < 100; i++)); do
        if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/static.txt"; then return 0; fi
        if ! kill -0 "$(cat "$dir/apache.pid")" 2>/dev/null; then
            echo "apache2 exited; see $dir/logs/error.log:" >&2
            cat "$dir/logs/error.log" "$dir/logs/stdout.log" >&2
            return 1
        fi
        sleep 0.1
    done
    echo "apache2 did not answer on port $port" >&2
    return 1
}

# apache_stop DIR
apache_stop() {
    local pidfile=$1/apache.pid pid i
    [ -f "$pidfile" ] || return 0
    pid=$(cat "$pidfile")
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$pidfile"
}
