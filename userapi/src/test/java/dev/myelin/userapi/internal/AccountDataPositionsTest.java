package dev.myelin.userapi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.myelin.platform.db.Database;
import dev.myelin.platform.db.testing.DatabaseComponent;
import dev.myelin.platform.db.testing.DatabaseTest;
import dev.myelin.userapi.api.AccountDataChange;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Account data positions: what sync asks to learn which account data changed since its last response. */
@DatabaseComponent("userapi")
class AccountDataPositionsTest {

    @DatabaseTest
    void changesSinceAPositionAreTheLaterWritesWithTheirCurrentContent(Database db) {
        LocalUserApi api = new LocalUserApi(db, new UserApiSettings("example.org", PasswordHasher.Cost.TEST,
                Duration.ofMinutes(5)), Clock.systemUTC(), new SecureRandom());
        List<String> woken = new ArrayList<>();
        api.onAccountDataChange(woken::add);
        long start = api.accountDataPosition();
        api.setAccountData("alice", Optional.empty(), "a", content(1));
        long afterA = api.accountDataPosition();
        api.setAccountData("alice", Optional.of("!r:example.org"), "b", content(2));
        api.setAccountData("bob", Optional.empty(), "a", content(3));
        api.setAccountData("alice", Optional.empty(), "a", content(4));
        api.setPushRuleEnabled("alice", "override", ".m.rule.master", true);

        assertThat(afterA).isEqualTo(start + 1);
        List<AccountDataChange> changes = api.accountDataChanges("alice", afterA, api.accountDataPosition());
        assertThat(changes).extracting(AccountDataChange::type).containsExactly("b", "a", "m.push_rules");
        assertThat(changes.get(1).content().path("n").asInt()).isEqualTo(4);
        assertThat(changes.get(0).roomId()).isEqualTo("!r:example.org");
        assertThat(changes.get(2).content().path("global").has("override")).isTrue();
        assertThat(api.accountDataChanges("alice", api.accountDataPosition(), api.accountDataPosition())).isEmpty();
        assertThat(woken).containsExactly("@alice:example.org", "@alice:example.org", "@bob:example.org",
                "@alice:example.org", "@alice:example.org");
    }

    private static ObjectNode content(int n) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("n", n);
        return o;
    }
}
