package dev.pgentrypoint.camel;

import java.util.Map;
import org.apache.camel.Component;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/** A component whose endpoints are {@code scheme:<name>?options}: the name is required, the options set the endpoint. */
public abstract class NamedComponent extends DefaultComponent {

    /** Makes the endpoint named {@code name}, before its options are set: the endpoint's constructor. */
    @FunctionalInterface
    protected interface EndpointFactory {
        NamedEndpoint create(String uri, Component component, String name);
    }

    private final String nameMissing;
    private final EndpointFactory factory;

    /**
     * @param nameMissing the error message for an endpoint URI without a name, with the URI's form
     */
    protected NamedComponent(String nameMissing, EndpointFactory factory) {
        this.nameMissing = nameMissing;
        this.factory = factory;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (remaining.isBlank()) {
            throw new IllegalArgumentException(nameMissing);
        }
        NamedEndpoint endpoint = factory.create(uri, this, remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
