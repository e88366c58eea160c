package dev.myelin.clientapi.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SharedSecretRegistrationTest {
    @Test
    void macIsHexHmacSha1OverNulSeparatedFields() {
        // Independently computed: printf 'abc\000alice\000pw\000admin' | openssl dgst -sha1 -hmac secret
        String expected = "dc5ed98b283077684552e3f72d67f26b3366bf58";
        assertThat(SharedSecretRegistration.mac("secret", "abc", "alice", "pw", true)).isEqualTo(expected);
        assertThat(SharedSecretRegistration.verify("secret", "abc", "alice", "pw", true, java.util.Optional.empty(), expected.toUpperCase())).isTrue();
        assertThat(SharedSecretRegistration.verify("secret", "abc", "alice", "pw", false, java.util.Optional.empty(), expected)).isFalse();
        assertThat(SharedSecretRegistration.verify("secret", "abc", "alice", "pw", true, java.util.Optional.empty(), null)).isFalse();
        // printf 'abc\000alice\000pw\000notadmin\000bot' | openssl dgst -sha1 -hmac secret
        assertThat(SharedSecretRegistration.mac("secret", "abc", "alice", "pw", false, java.util.Optional.of("bot")))
                .isEqualTo("24aa4ce0a91cc14c8d7b06e2c344d3d698805c6e");
    }
}
