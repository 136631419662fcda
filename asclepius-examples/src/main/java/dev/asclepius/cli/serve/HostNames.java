package dev.asclepius.cli.serve;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Host names as the Host allow-list compares them: one spelling per name, ports dropped. */
final class HostNames {
    private HostNames() {
    }

    /**
     * The names a request's Host header may carry: the loopback names, the bound address unless it is a
     * wildcard (0.0.0.0 is no name a client uses), and those given; "*" allows any.
     */
    static Set<String> allowList(String bindHost, List<String> extra) {
        Set<String> hosts = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
        if (!isWildcard(bindHost)) {
            hosts.add(normalize(bindHost));
        }
        extra.forEach(h -> hosts.add(h.equals("*") ? "*" : normalize(h)));
        return Set.copyOf(hosts);
    }

    private static boolean isWildcard(String host) {
        try {
            return InetAddress.getByName(host).isAnyLocalAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Lower case, no brackets around an IPv6 address, no trailing dot. */
    static String normalize(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h;
    }

    /** The Host header's name without its port. */
    static String fromHeader(String header) {
        String h = header.trim();
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return normalize(end < 0 ? h : h.substring(0, end + 1));
        }
        int colon = h.lastIndexOf(':');
        if (colon >= 0 && h.indexOf(':') == colon) {   // one colon: name:port; more: a bare IPv6 address
            h = h.substring(0, colon);
        }
        return normalize(h);
    }
}
