package dev.myelin.platform.stream;

/** The message type of the stream tests. */
public record Note(long id, String key) {

    static StreamDefinition<Note> stream(String name) {
        return StreamDefinition.json(name, Note.class);
    }
}
