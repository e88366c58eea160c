package dev.myelin.server.cli.protocol;

import dev.myelin.protocol.ProtocolException;
import dev.myelin.protocol.json.CanonicalJson;
import dev.myelin.protocol.json.ProtocolJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code myelin protocol canonical-json}: the spec's canonical JSON of the input. */
@Command(name = "canonical-json", mixinStandardHelpOptions = true,
        description = "Print the canonical JSON of the input (keys sorted by code point, no whitespace, UTF-8).")
final class CanonicalJsonCommand extends LineCommand {

    @Option(names = "--strict", description = "Apply room version 6+ rules: integers within ±(2^53−1) only, no duplicate keys.")
    boolean strict;

    @Override
    String answer(String input) throws CaseFailure {
        try {
            return CanonicalJson.encodeToString(strict ? ProtocolJson.parseStrict(input) : ProtocolJson.parseLenient(input));
        } catch (ProtocolException e) {
            throw new CaseFailure(e.getMessage());
        }
    }
}
