package dev.myelin.mediaapi.internal;

import dev.myelin.mediaapi.api.MediaSettings.Method;
import dev.myelin.platform.http.MatrixException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import net.coobird.thumbnailator.Thumbnails;

/**
 * Makes thumbnails of PNG, JPEG, GIF and WebP images. The format is recognised from the bytes (never from the
 * uploader's content type) and the dimensions are read from the header before any pixel is decoded, so an
 * image over the pixel limit (a decompression bomb) is refused without being decoded. Never upscales.
 *
 * @see <a href="https://spec.matrix.org/v1.19/client-server-api/#thumbnails">Thumbnails</a>
 */
public final class Thumbnailer {
    /** ImageIO format names we thumbnail (WebP through TwelveMonkeys' reader). */
    private static final Set<String> FORMATS = Set.of("png", "jpeg", "gif", "webp");

    private final long maxPixels;

    public Thumbnailer(long maxPixels) {
        this.maxPixels = maxPixels;
    }

    /** What the header says: format (png, jpeg, gif, webp), size, and whether it has several frames. */
    public record Probe(String format, int width, int height, boolean animated) {
        public String contentType() { return "image/" + format; }
    }

    /** A thumbnail's bytes. */
    public record Thumbnail(String contentType, byte[] bytes, int width, int height) {}

    /**
     * Reads the image's header.
     *
     * @throws MatrixException 400 {@code M_UNKNOWN} if it is not an image we can thumbnail or is corrupt,
     *                         413 {@code M_TOO_LARGE} if it has more pixels than the limit
     */
    public Probe probe(Path file) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            ImageReader reader = readerFor(in);
            try {
                reader.setInput(in, false, true);
                Probe probe = new Probe(formatOf(reader), reader.getWidth(0), reader.getHeight(0), isAnimated(reader));
                checkPixels(probe.width(), probe.height());
                return probe;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof MatrixException m) throw m;
            throw cannotThumbnail();
        }
    }

    /**
     * A thumbnail of {@code file} for a request of {@code width}×{@code height} with {@code method}: "scale" fits
     * the image inside the box keeping its aspect ratio, "crop" cuts the box's aspect ratio from the centre.
     * The result is never larger than the source. JPEG stays JPEG; everything else becomes PNG (first frame).
     */
    public Thumbnail thumbnail(Path file, int width, int height, Method method) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            ImageReader reader = readerFor(in);
            try {
                reader.setInput(in, false, true);
                int sw = reader.getWidth(0);
                int sh = reader.getHeight(0);
                checkPixels(sw, sh);
                String format = formatOf(reader);
                Geometry g = Geometry.of(sw, sh, width, height, method);
                ImageReadParam param = reader.getDefaultReadParam();
                // why: decoding every n-th pixel of a big photo saves memory and time; the resize smooths the rest
                int step = Math.max(1, Math.min(g.regionW() / (2 * g.outW()), g.regionH() / (2 * g.outH())));
                param.setSourceRegion(new java.awt.Rectangle(g.regionX(), g.regionY(), g.regionW(), g.regionH()));
                param.setSourceSubsampling(step, step, 0, 0);
                BufferedImage decoded = reader.read(0, param);
                String outFormat = format.equals("jpeg") ? "jpg" : "png";
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                BufferedImage resized = Thumbnails.of(decoded).forceSize(g.outW(), g.outH()).asBufferedImage();
                if (outFormat.equals("jpg") && resized.getColorModel().hasAlpha()) resized = withoutAlpha(resized);
                if (!ImageIO.write(resized, outFormat, out)) throw cannotThumbnail();
                return new Thumbnail(outFormat.equals("jpg") ? "image/jpeg" : "image/png", out.toByteArray(), g.outW(), g.outH());
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof MatrixException m) throw m;
            throw cannotThumbnail();
        }
    }

    /** The part of the source that is used and the size of the result. */
    record Geometry(int regionX, int regionY, int regionW, int regionH, int outW, int outH) {
        static Geometry of(int sw, int sh, int w, int h, Method method) {
            return switch (method) {
                case SCALE -> {
                    double f = Math.min(1.0, Math.min((double) w / sw, (double) h / sh));
                    yield new Geometry(0, 0, sw, sh, clamp(sw * f, sw), clamp(sh * f, sh));
                }
                case CROP -> {
                    int rw;
                    int rh;
                    if ((long) sw * h > (long) sh * w) { // wider than the box: cut the sides
                        rh = sh;
                        rw = clamp((double) sh * w / h, sw);
                    } else {
                        rw = sw;
                        rh = clamp((double) sw * h / w, sh);
                    }
                    int ow = Math.min(w, rw);
                    int oh = ow == w ? Math.min(h, clamp((double) ow * rh / rw, rh)) : rh;
                    yield new Geometry((sw - rw) / 2, (sh - rh) / 2, rw, rh, ow, oh);
                }
            };
        }

        private static int clamp(double v, int max) {
            return (int) Math.max(1, Math.min(max, Math.round(v)));
        }
    }

    private void checkPixels(int w, int h) {
        if (w <= 0 || h <= 0) throw cannotThumbnail();
        if ((long) w * h > maxPixels) {
            throw MatrixException.tooLarge("The image has more pixels (" + w + "x" + h + ") than this server thumbnails");
        }
    }

    private static ImageReader readerFor(ImageInputStream in) {
        if (in == null) throw cannotThumbnail();
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        while (readers.hasNext()) {
            ImageReader r = readers.next();
            try {
                if (FORMATS.contains(formatOf(r))) return r;
            } catch (IOException e) {
                // not ours
            }
            r.dispose();
        }
        throw cannotThumbnail();
    }

    private static String formatOf(ImageReader reader) throws IOException {
        String name = reader.getFormatName().toLowerCase(Locale.ROOT);
        return name.equals("jpg") ? "jpeg" : name;
    }

    private static boolean isAnimated(ImageReader reader) throws IOException {
        if (!Set.of("gif", "webp").contains(formatOf(reader))) return false;
        // why: counting frames walks the stream but decodes no pixels; uploads are size-limited
        return reader.getNumImages(true) > 1;
    }

    private static BufferedImage withoutAlpha(BufferedImage image) {
        BufferedImage rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        var g = rgb.createGraphics();
        g.drawImage(image, 0, 0, java.awt.Color.WHITE, null);
        g.dispose();
        return rgb;
    }

    private static MatrixException cannotThumbnail() {
        return new MatrixException("M_UNKNOWN", "Cannot generate a thumbnail of this media", 400);
    }
}
