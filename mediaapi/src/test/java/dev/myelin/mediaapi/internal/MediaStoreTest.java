package dev.myelin.mediaapi.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MediaStoreTest {
    @TempDir Path dir;

    @Test
    void namesFilesByTheirSha256AndStoresIdenticalBytesOnce() throws Exception {
        MediaStore store = new MediaStore(dir);
        MediaStore.Stored a = store.store(new ByteArrayInputStream("abc".getBytes()));
        MediaStore.Stored b = store.store("abc".getBytes());
        assertThat(a).isEqualTo(b);
        assertThat(a.sha256()).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(store.path(a.sha256())).isEqualTo(dir.resolve("sha256/ba/78/" + a.sha256()));
        assertThat(Files.readString(store.path(a.sha256()))).isEqualTo("abc");
        try (var tmp = Files.list(dir.resolve("tmp"))) {
            assertThat(tmp).isEmpty();
        }
    }

    @Test
    void refusesAnythingButAHexDigestAsAName() {
        MediaStore store = new MediaStore(dir);
        for (String bad : new String[] {"../../etc/passwd", "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", "abc", ""}) {
            assertThatThrownBy(() -> store.path(bad)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void removesDayOldPartialUploadsAtStart() throws Exception {
        new MediaStore(dir);
        Path old = Files.writeString(dir.resolve("tmp/upload-1.part"), "x");
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(2, ChronoUnit.DAYS)));
        Path fresh = Files.writeString(dir.resolve("tmp/upload-2.part"), "y");
        new MediaStore(dir);
        assertThat(old).doesNotExist();
        assertThat(fresh).exists();
    }
}
