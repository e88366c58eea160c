package dev.myelin.platform.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Stream names that NATS can carry, and the JSON codec's round trip and typed failure. */
class StreamDefinitionTest {

    @Test
    void acceptsNamesThatAreNatsTokens() {
        assertThat(Note.stream("OutputRoomEvent").name()).isEqualTo("OutputRoomEvent");
        assertThat(Note.stream("output_room-event2").name()).isEqualTo("output_room-event2");
    }

    @Test
    void refusesNamesNatsCannotCarry() {
        for (String bad : new String[] {"", "a.b", "a b", "a*", "a>", "é"}) {
            assertThatThrownBy(() -> Note.stream(bad)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> new NatsNames("my.prefix")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void natsNamesKeepDeploymentsApart() {
        NatsNames names = new NatsNames("prod1");
        StreamDefinition<Note> s = Note.stream("OutputRoomEvent");
        assertThat(names.jetStreamName(s)).isEqualTo("prod1_OutputRoomEvent");
        assertThat(names.durableSubject(s)).isEqualTo("prod1.stream.OutputRoomEvent");
        assertThat(names.ephemeralSubject(s)).isEqualTo("prod1.ephemeral.OutputRoomEvent");
    }

    @Test
    void jsonCodecRoundTripsAndRejectsGarbageWithAStreamException() {
        StreamCodec<Note> codec = Note.stream("n").codec();
        Note note = new Note(7, "!room:example.org");
        assertThat(codec.decode(codec.encode(note))).isEqualTo(note);
        assertThatThrownBy(() -> codec.decode("not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(StreamException.class);
    }
}
