// Package cognito verifies Amazon Cognito user pool ID tokens and turns them
// into a chat.Identity. It is the only place the chat trusts a token, so it
// checks everything a forged, replayed or misdirected token could get wrong:
//
//   - Size and shape: at most 16 KiB, three base64url segments. A malformed
//     token is chat.Invalid; every other refusal is chat.Forbidden.
//   - Algorithm: RS256 only, decided by us and never by the token. "none",
//     HS256 (including HS256 "signed" with the pool's public key bytes as the
//     HMAC secret, the classic key-confusion attack) and every other alg are
//     refused before any key is looked up.
//   - Signature: with the RSA key of the pool's JWKS whose kid the header
//     names. Keys come from a small cache (jwks.go): fetched with a timeout,
//     kept for a TTL, refetched on an unknown kid at most once per interval
//     so rotation works but forged kids cannot hammer the endpoint, and
//     concurrent callers share one fetch.
//   - iss equals the configured issuer exactly (the pool URL): a token from
//     another pool, or another region, is someone else's user.
//   - token_use is "id": access tokens carry no profile and a different
//     audience claim, and accepting them would let any client of the pool in.
//   - aud is exactly the configured app client id: a token minted for another
//     client of the same pool is not for us.
//   - exp is required and in the future, nbf (if any) is past, iat is
//     required and not in the future, auth_time (if any) is not after iat;
//     all with a small leeway for clock skew.
//   - sub is present: it is the user id everything else is keyed on.
//
// Failures to get keys (JWKS down, timeout, garbage) are chat.Internal: the
// caller must refuse the request but log them as incidents, not as bad
// tokens. Error messages are safe to show to clients and never echo the token.
package cognito
