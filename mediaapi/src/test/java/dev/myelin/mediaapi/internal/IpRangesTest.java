package dev.myelin.mediaapi.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class IpRangesTest {

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal); // literals only: no DNS
    }

    @Test
    void refusesPrivateLoopbackLinkLocalAndReservedAddressesByDefault() throws Exception {
        IpRanges ranges = new IpRanges(List.of(), List.of());
        for (String denied : List.of("127.0.0.1", "127.8.9.10", "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.254",
                "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "198.18.0.1",
                "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
                "64:ff9b::a00:1", "2002:7f00:1::1", "2001:db8::1")) {
            assertThat(ranges.permits(ip(denied))).as(denied).isFalse();
        }
        for (String allowed : List.of("93.184.216.34", "8.8.8.8", "172.32.0.1", "2606:4700::1111", "2a00:1450::1")) {
            assertThat(ranges.permits(ip(allowed))).as(allowed).isTrue();
        }
    }

    @Test
    void allowedRangesWinAndExtraDeniedRangesAdd() throws Exception {
        IpRanges ranges = new IpRanges(List.of("8.8.0.0/16"), List.of("127.0.0.1/32"));
        assertThat(ranges.permits(ip("127.0.0.1"))).isTrue();
        assertThat(ranges.permits(ip("127.0.0.2"))).isFalse();
        assertThat(ranges.permits(ip("8.8.8.8"))).isFalse();
        assertThat(ranges.permits(ip("8.9.8.8"))).isTrue();
        assertThat(ranges.permits(ip("::1"))).isFalse();
    }

    @Test
    void rejectsRangesThatAreNotCidr() {
        for (String bad : List.of("localhost/8", "10.0.0.0/33", "10.0.0/8x", "", "::1/129")) {
            assertThatThrownBy(() -> new IpRanges(List.of(bad), List.of())).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
