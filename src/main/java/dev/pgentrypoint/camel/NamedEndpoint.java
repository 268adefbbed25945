package dev.pgentrypoint.camel;

import org.apache.camel.Component;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

/** An endpoint {@code scheme:<name>} of a {@link NamedComponent}. */
public abstract class NamedEndpoint extends DefaultEndpoint {

    @UriPath
    @Metadata(required = true)
    private final String name;

    protected NamedEndpoint(String uri, Component component, String name) {
        super(uri, component);
        this.name = name;
    }

    public String getName() {
        return name;
    }
}
