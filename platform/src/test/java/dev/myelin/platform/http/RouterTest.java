package dev.myelin.platform.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouterTest {
    private static final Route OK = call -> Reply.empty();

    @Test
    void matchesTemplateAndDecodesParameters() {
        Router router = new Router().put("/_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}", OK);

        var match = router.match("PUT", "/_matrix/client/v3/rooms/!abc%3Aexample.org/send/m.room.message/t%2F1%20x");

        assertThat(match).isInstanceOfSatisfying(Router.Found.class, found -> assertThat(found.pathParams())
                .isEqualTo(Map.of("roomId", "!abc:example.org", "eventType", "m.room.message", "txnId", "t/1 x")));
    }

    @Test
    void decodesUtf8AndKeepsPlusSigns() {
        Router router = new Router().get("/x/{p}", OK);
        var found = (Router.Found) router.match("GET", "/x/%C3%A9t%C3%A9+1");
        assertThat(found.pathParams()).containsEntry("p", "été+1");
    }

    @Test
    void literalSegmentWinsOverParameterAndBacktracks() {
        Route literal = call -> Reply.json(Map.of("which", "literal"));
        Router router = new Router()
                .get("/rooms/{roomId}/joined_members", literal)
                .put("/rooms/{roomId}/{anything}", OK)
                .get("/rooms/joined/{x}", OK);

        assertThat(((Router.Found) router.match("GET", "/rooms/!r/joined_members")).endpoint().route()).isSameAs(literal);
        // "joined" is a literal child of /rooms, but only the parameter branch has PUT …/{anything}
        assertThat(((Router.Found) router.match("PUT", "/rooms/joined/x")).pathParams())
                .isEqualTo(Map.of("roomId", "joined", "anything", "x"));
    }

    @Test
    void emptyTrailingSegmentIsAnEmptyParameter() {
        Router router = new Router()
                .get("/rooms/{roomId}/state/{eventType}/{stateKey}", OK)
                .get("/rooms/{roomId}/state/{eventType}", OK);

        var withEmptyKey = (Router.Found) router.match("GET", "/rooms/!r/state/m.room.name/");
        assertThat(withEmptyKey.pathParams()).containsEntry("stateKey", "");
        var withoutKey = (Router.Found) router.match("GET", "/rooms/!r/state/m.room.name");
        assertThat(withoutKey.pathParams()).doesNotContainKey("stateKey");
    }

    @Test
    void unknownPathIsNotFoundAndKnownPathWithOtherMethodIsWrongMethod() {
        Router router = new Router().get("/a/{b}", OK).post("/a/{b}", OK);

        assertThat(router.match("GET", "/a")).isInstanceOf(Router.NotFound.class);
        assertThat(router.match("GET", "/a/b/c")).isInstanceOf(Router.NotFound.class);
        assertThat(router.match("GET", "relative")).isInstanceOf(Router.NotFound.class);
        assertThat(router.match("DELETE", "/a/b")).isEqualTo(new Router.WrongMethod(Set.of("GET", "POST")));
        assertThat(router.match("HEAD", "/a/b")).isInstanceOf(Router.Found.class);
    }

    @Test
    void refusesTwoRoutesForOneMethodAndPath() {
        Router router = new Router().get("/a/{b}", OK);
        assertThatThrownBy(() -> router.get("/a/{c}", OK)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> router.get("/a/x{c}", OK)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void invalidPercentEncodingIsABadRequest() {
        Router router = new Router().get("/a/{b}", OK);
        assertThatThrownBy(() -> router.match("GET", "/a/%zz"))
                .isInstanceOfSatisfying(MatrixException.class, e -> assertThat(e.status()).isEqualTo(400));
        assertThatThrownBy(() -> router.match("GET", "/a/%C3"))
                .isInstanceOfSatisfying(MatrixException.class, e -> assertThat(e.errcode()).isEqualTo("M_UNRECOGNIZED"));
    }
}
