package dev.myelin.mediaapi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.mediaapi.api.MediaSettings.Method;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ThumbnailGeometryTest {

    @Property
    void neverUpscalesNeverExceedsTheBoxAndStaysInsideTheSource(@ForAll @IntRange(min = 1, max = 5000) int sw,
            @ForAll @IntRange(min = 1, max = 5000) int sh, @ForAll @IntRange(min = 1, max = 2000) int w,
            @ForAll @IntRange(min = 1, max = 2000) int h, @ForAll Method method) {
        Thumbnailer.Geometry g = Thumbnailer.Geometry.of(sw, sh, w, h, method);
        assertThat(g.outW()).isBetween(1, Math.min(w, g.regionW()));
        assertThat(g.outH()).isBetween(1, Math.min(h, g.regionH()));
        assertThat(g.regionX()).isGreaterThanOrEqualTo(0);
        assertThat(g.regionY()).isGreaterThanOrEqualTo(0);
        assertThat(g.regionX() + g.regionW()).isLessThanOrEqualTo(sw);
        assertThat(g.regionY() + g.regionH()).isLessThanOrEqualTo(sh);
        if (method == Method.SCALE) {
            assertThat(g.regionW()).isEqualTo(sw);
            assertThat(g.regionH()).isEqualTo(sh);
            // one side meets the box (or the source is smaller than the box)
            assertThat(g.outW() == Math.min(w, sw) || g.outH() == Math.min(h, sh)).isTrue();
        }
    }

    @Test
    void examplesFromTheSpecSizes() {
        assertThat(Thumbnailer.Geometry.of(400, 300, 32, 32, Method.CROP)).isEqualTo(new Thumbnailer.Geometry(50, 0, 300, 300, 32, 32));
        assertThat(Thumbnailer.Geometry.of(400, 300, 320, 240, Method.SCALE)).isEqualTo(new Thumbnailer.Geometry(0, 0, 400, 300, 320, 240));
        assertThat(Thumbnailer.Geometry.of(400, 300, 800, 600, Method.SCALE)).isEqualTo(new Thumbnailer.Geometry(0, 0, 400, 300, 400, 300));
        assertThat(Thumbnailer.Geometry.of(1000, 100, 96, 96, Method.CROP)).isEqualTo(new Thumbnailer.Geometry(450, 0, 100, 100, 96, 96));
        assertThat(Thumbnailer.Geometry.of(20, 20, 96, 96, Method.CROP)).isEqualTo(new Thumbnailer.Geometry(0, 0, 20, 20, 20, 20));
    }
}
