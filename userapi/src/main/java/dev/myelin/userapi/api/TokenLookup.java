package dev.myelin.userapi.api;

/** The answer to "whose access token is this": a requester, or why not. */
public sealed interface TokenLookup {
    /** The token is valid. */
    record Valid(Requester requester) implements TokenLookup {}

    /** The token was issued but has expired: the client should refresh it (soft logout). */
    record Expired() implements TokenLookup {}

    /** No such token (never issued, logged out, or the account was deactivated). */
    record Unknown() implements TokenLookup {}
}
