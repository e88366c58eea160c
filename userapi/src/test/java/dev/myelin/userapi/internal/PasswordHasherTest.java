package dev.myelin.userapi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class PasswordHasherTest {
    private final PasswordHasher cheap = new PasswordHasher(PasswordHasher.Cost.TEST, new SecureRandom());

    @Test
    void verifiesItsOwnHashAndRejectsAnotherPassword() {
        String stored = cheap.hash("correct horse");
        assertThat(stored).startsWith("$argon2id$v=19$m=64,t=1,p=1$").doesNotContain("correct horse");
        assertThat(cheap.verify("correct horse", stored)).isTrue();
        assertThat(cheap.verify("correct horsf", stored)).isFalse();
        assertThat(cheap.hash("correct horse")).as("salted").isNotEqualTo(stored);
    }

    @Test
    void verifiesBcryptHashesImportedFromSynapse() {
        // The Openwall/OpenBSD test vector for "U*U".
        String vector = "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";
        assertThat(cheap.verify("U*U", vector)).isTrue();
        assertThat(cheap.verify("U*U", "$2b$" + vector.substring(4))).isTrue();
        assertThat(cheap.verify("U*U", "$2y$" + vector.substring(4))).isTrue();
        assertThat(cheap.verify("U*V", vector)).isFalse();
        assertThat(cheap.needsRehash(vector)).isTrue();
    }

    @Test
    void malformedStoredHashesMatchNothing() {
        assertThat(cheap.verify("x", "")).isFalse();
        assertThat(cheap.verify("x", null)).isFalse();
        assertThat(cheap.verify("x", "$2a$05$short")).isFalse();
        assertThat(cheap.verify("x", "$argon2id$v=19$m=0,t=0,p=0$AAAA$AAAA")).isFalse();
        assertThat(cheap.verify("x", "plain")).isFalse();
    }

    @Test
    void productionCostTakesTensOfMilliseconds() {
        PasswordHasher production = new PasswordHasher(PasswordHasher.Cost.PRODUCTION, new SecureRandom());
        String stored = production.hash("warm up");
        long start = System.nanoTime();
        assertThat(production.verify("warm up", stored)).isTrue();
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("argon2id production verify: " + millis + " ms");
        assertThat(stored).startsWith("$argon2id$v=19$m=19456,t=3,p=1$");
        assertThat(millis).as("one production hash, ms").isBetween(10L, 2_000L);
        assertThat(cheap.needsRehash(stored)).isTrue();
        assertThat(production.needsRehash(stored)).isFalse();
    }
}
