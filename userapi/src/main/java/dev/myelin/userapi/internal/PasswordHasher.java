package dev.myelin.userapi.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Hashes passwords with Argon2id (PHC string format {@code $argon2id$v=19$m=…,t=…,p=…$salt$hash}) and verifies
 * both those and the bcrypt hashes ({@code $2a$}, {@code $2b$}, {@code $2y$}) that accounts imported from
 * Synapse carry.
 */
public final class PasswordHasher {

    /** Argon2id cost. {@code memoryKib} is the memory per hash in KiB. */
    public record Cost(int memoryKib, int iterations, int parallelism) {
        public Cost {
            if (memoryKib < 8 * parallelism || iterations < 1 || parallelism < 1) {
                throw new IllegalArgumentException("invalid Argon2 cost " + memoryKib + "/" + iterations + "/" + parallelism);
            }
        }

        // why: measured on the project's 2-core machine, one hash takes ~60–80 ms with these (OWASP's 19 MiB, t=2
        // floor, one more pass for margin); see PasswordHasherTest#productionCostTakesTensOfMilliseconds.
        public static final Cost PRODUCTION = new Cost(19 * 1024, 3, 1);

        /** For tests only: a hash in well under a millisecond. */
        public static final Cost TEST = new Cost(64, 1, 1);
    }

    private static final Pattern PHC = Pattern.compile(
            "\\$argon2id\\$v=19\\$m=(\\d{1,8}),t=(\\d{1,4}),p=(\\d{1,3})\\$([A-Za-z0-9+/]+)\\$([A-Za-z0-9+/]+)");
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private final Cost cost;
    private final SecureRandom random;

    public PasswordHasher(Cost cost, SecureRandom random) {
        this.cost = cost;
        this.random = random;
    }

    /** The PHC string of a fresh Argon2id hash of {@code password}. */
    public String hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] out = argon2(password, salt, cost.memoryKib(), cost.iterations(), cost.parallelism());
        return "$argon2id$v=19$m=" + cost.memoryKib() + ",t=" + cost.iterations() + ",p=" + cost.parallelism()
                + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(out);
    }

    /** Whether {@code password} matches {@code stored} (an Argon2id PHC string or a bcrypt hash); false for anything else. */
    public boolean verify(String password, String stored) {
        if (stored == null || password == null) return false;
        if (stored.startsWith("$2a$") || stored.startsWith("$2b$") || stored.startsWith("$2y$")) {
            try {
                return OpenBSDBCrypt.checkPassword(stored, password.getBytes(StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                // why: BouncyCastle signals a malformed hash with DataLengthException or IllegalArgumentException
                return false;
            }
        }
        Matcher m = PHC.matcher(stored);
        if (!m.matches()) return false;
        int memory = Integer.parseInt(m.group(1));
        int iterations = Integer.parseInt(m.group(2));
        int parallelism = Integer.parseInt(m.group(3));
        if (memory < 8 * parallelism || iterations < 1 || parallelism < 1) return false;
        byte[] salt;
        byte[] expected;
        try {
            salt = B64D.decode(m.group(4));
            expected = B64D.decode(m.group(5));
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (salt.length < 8 || expected.length < 16) return false;
        byte[] actual = argon2(password, salt, memory, iterations, parallelism, expected.length);
        return MessageDigest.isEqual(expected, actual);
    }

    /** Whether {@code stored} should be re-hashed at the next successful login (older scheme or cheaper cost). */
    public boolean needsRehash(String stored) {
        Matcher m = PHC.matcher(stored == null ? "" : stored);
        if (!m.matches()) return true;
        return Integer.parseInt(m.group(1)) != cost.memoryKib() || Integer.parseInt(m.group(2)) != cost.iterations()
                || Integer.parseInt(m.group(3)) != cost.parallelism();
    }

    private static byte[] argon2(String password, byte[] salt, int memory, int iterations, int parallelism) {
        return argon2(password, salt, memory, iterations, parallelism, HASH_BYTES);
    }

    private static byte[] argon2(String password, byte[] salt, int memory, int iterations, int parallelism, int length) {
        Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(memory)
                .withIterations(iterations)
                .withParallelism(parallelism)
                .withSalt(salt)
                .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(params);
        byte[] out = new byte[length];
        byte[] pw = password.getBytes(StandardCharsets.UTF_8);
        try {
            generator.generateBytes(pw, out);
        } finally {
            Arrays.fill(pw, (byte) 0);
        }
        return out;
    }
}
