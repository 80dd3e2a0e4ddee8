package io.swarmgate.testing;

/**
 * The one place tests write a {@code jwt} prehook's YAML: the registry the test tokens claim to come from, and
 * the hook against the shipped example keys ({@code keys-example/}, whose private key the token tests sign with).
 */
public final class JwtYaml {
    public static final String ISSUER = "https://registry.example.com";
    public static final String AUDIENCE = "swarmgate";
    /** The public half of keys-example/, as the tracker reads it from a file URL. */
    public static final String EXAMPLE_JWK_SET_URL = "file:keys-example/jwks.json";
    /** A top-level {@code prehooks:} section with the jwt hook admitting only tokens the example keys signed. */
    public static final String EXAMPLE_PREHOOK = prehook(EXAMPLE_JWK_SET_URL);

    private JwtYaml() {
    }

    /** A top-level {@code prehooks:} section: the jwt hook for {@link #ISSUER} and {@link #AUDIENCE}, and more lines. */
    public static String prehook(String jwkSetUrl, String... extraConfigLines) {
        String[] lines = new String[extraConfigLines.length + 3];
        lines[0] = "issuer: " + ISSUER;
        lines[1] = "audience: " + AUDIENCE;
        lines[2] = "jwk-set-url: " + jwkSetUrl;
        System.arraycopy(extraConfigLines, 0, lines, 3, extraConfigLines.length);
        return prehookWith(lines);
    }

    /** A top-level {@code prehooks:} section: the jwt hook whose {@code config:} is exactly these lines. */
    public static String prehookWith(String... configLines) {
        StringBuilder yaml = new StringBuilder("prehooks:\n  - name: jwt\n    config:\n");
        for (String line : configLines) {
            yaml.append("      ").append(line).append('\n');
        }
        return yaml.toString();
    }
}
