package dev.myelin.server;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.crypto.SigningKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumSet;

/** The server's signing key on disk, in Synapse's format: read it, or create it on first start. */
public final class SigningKeyFile {
    private SigningKeyFile() {}

    /** The result of {@link #loadOrCreate}: the key, and whether it was just created. */
    public record Loaded(SigningKey key, boolean created) {}

    public static Loaded loadOrCreate(Path file, SecureRandom random) throws StartupFailure {
        try {
            return new Loaded(SigningKey.parse(Files.readString(file, StandardCharsets.UTF_8)), false);
        } catch (NoSuchFileException e) {
            SigningKey key = SigningKey.generate(random);
            write(file, key);
            return new Loaded(key, true);
        } catch (IOException e) {
            throw new StartupFailure("cannot read signing key " + file + " (" + DataDir.reason(e) + ")");
        } catch (ProtocolException e) {
            throw new StartupFailure("signing key " + file + " is not valid: " + e.getMessage());
        }
    }

    /** Writes {@code key} to a new file readable only by its owner; never overwrites. */
    public static void write(Path file, SigningKey key) throws StartupFailure {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            var options = EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            // why: created owner-only from the start, so the seed is never readable by others, even briefly
            FileAttribute<?>[] ownerOnly = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                    : new FileAttribute<?>[0];
            try (SeekableByteChannel channel = Files.newByteChannel(file, options, ownerOnly)) {
                channel.write(ByteBuffer.wrap(key.format().getBytes(StandardCharsets.UTF_8)));
            }
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new StartupFailure(file + " already exists; not overwriting a signing key");
        } catch (IOException e) {
            throw new StartupFailure("cannot write signing key " + file + " (" + DataDir.reason(e) + ")");
        }
    }
}
