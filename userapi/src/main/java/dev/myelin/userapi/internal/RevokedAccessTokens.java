package dev.myelin.userapi.internal;

import dev.myelin.platform.stream.StreamDefinition;
import java.util.List;

/**
 * Ephemeral message between userapi instances: access tokens (by hash) that stopped working, so every process
 * drops them from its token cache at once; {@code all} asks for the whole cache to be dropped (a change that
 * cached requesters carry, such as the admin flag). Ephemeral is enough: a process that misses one has no entry
 * to drop, or drops it when the cache entry expires.
 */
public record RevokedAccessTokens(List<String> hashes, boolean all) {

    public static final StreamDefinition<RevokedAccessTokens> STREAM =
            StreamDefinition.json("RevokedAccessTokens", RevokedAccessTokens.class);
}
