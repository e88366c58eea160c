package dev.myelin.mediaapi.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The files of the media repository, addressed by the SHA-256 of their bytes: {@code <root>/sha256/ab/cd/abcd…}.
 * Identical content is stored once. Paths are built only from a validated hex digest, never from anything a
 * client sent, so no media ID or file name can reach outside the store. A file is complete and fsynced before
 * it gets its final name, and its name is given before any database row points at it.
 */
public final class MediaStore {
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    private final Path root;
    private final Path tmp;

    /** The content stored: its digest (lower-case hex) and size. */
    public record Stored(String sha256, long size) {}

    public MediaStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.tmp = this.root.resolve("tmp");
        try {
            Files.createDirectories(tmp);
            Files.createDirectories(this.root.resolve("sha256"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the media store at " + this.root, e);
        }
        removeStaleParts();
    }

    // why: a crash mid-upload leaves a .part file that nothing points at; a day-old one is surely abandoned
    // (the age keeps another process's upload in progress safe if several share the store)
    private void removeStaleParts() {
        long cutoff = System.currentTimeMillis() - java.time.Duration.ofDays(1).toMillis();
        try (var parts = Files.newDirectoryStream(tmp, "upload-*.part")) {
            for (Path part : parts) {
                if (Files.getLastModifiedTime(part).toMillis() < cutoff) Files.deleteIfExists(part);
            }
        } catch (IOException e) {
            // not fatal: the files only take space
        }
    }

    /** Copies {@code in} (already limited by the caller) into the store; returns where it is. */
    public Stored store(InputStream in) throws IOException {
        Path part = Files.createTempFile(tmp, "upload-", ".part");
        try {
            MessageDigest digest = sha256();
            long size;
            try (FileChannel channel = FileChannel.open(part, StandardOpenOption.WRITE);
                    OutputStream out = new DigestOutputStream(java.nio.channels.Channels.newOutputStream(channel), digest)) {
                size = in.transferTo(out);
                out.flush();
                channel.force(true); // why: the name must never point at bytes a crash could lose
            }
            String hex = HexFormat.of().formatHex(digest.digest());
            Path target = path(hex);
            if (Files.exists(target)) return new Stored(hex, size); // dedupe: the same bytes are already there
            Files.createDirectories(target.getParent());
            try {
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException e) {
                // another upload of the same bytes won the race: fine, they are identical
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the media store's tmp and sha256 folders must be on one file system", e);
            }
            return new Stored(hex, size);
        } finally {
            Files.deleteIfExists(part);
        }
    }

    /** Stores bytes produced by the server itself (thumbnails). */
    public Stored store(byte[] bytes) throws IOException {
        return store(new java.io.ByteArrayInputStream(bytes));
    }

    /** The file of a digest (which must be 64 lower-case hex characters). */
    public Path path(String sha256) {
        if (!SHA256_HEX.matcher(sha256).matches()) throw new IllegalArgumentException("not a SHA-256 hex digest");
        return root.resolve("sha256").resolve(sha256.substring(0, 2)).resolve(sha256.substring(2, 4)).resolve(sha256);
    }

    /** The store's folder. */
    public Path root() { return root; }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
