package dev.myelin.server;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The data folder: created on first start, and checked to be writable before anything is stored in it. */
public final class DataDir {
    private DataDir() {}

    public static void prepare(Path dir) throws StartupFailure {
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) {
            throw new StartupFailure("data_dir " + dir + " exists but is not a folder");
        } catch (AccessDeniedException e) {
            throw new StartupFailure("cannot create data_dir " + dir + ": permission denied on " + e.getFile());
        } catch (IOException e) {
            throw new StartupFailure("cannot create data_dir " + dir + ": " + e.getMessage());
        }
        // why: Files.isWritable can disagree with reality (ACLs, read-only mounts); only a real write tells
        try {
            Path probe = Files.createTempFile(dir, ".write-check", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw new StartupFailure("data_dir " + dir + " is not writable (" + reason(e) + ")");
        }
    }

    static String reason(IOException e) {
        if (e instanceof AccessDeniedException) return "permission denied";
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
