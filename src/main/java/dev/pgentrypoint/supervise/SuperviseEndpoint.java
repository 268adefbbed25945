package dev.pgentrypoint.supervise;

import dev.pgentrypoint.camel.NamedEndpoint;
import java.util.Locale;
import org.apache.camel.Category;
import org.apache.camel.Component;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;

/** Endpoint {@code supervise:<name>}: producer starts/stops/queries the child, consumer receives its unexpected exits. */
@UriEndpoint(firstVersion = "0.1.0", scheme = "supervise", title = "Supervise", syntax = "supervise:name",
        category = Category.CORE)
public class SuperviseEndpoint extends NamedEndpoint {

    @UriParam
    private SuperviseOptions options = SuperviseOptions.DEFAULTS;

    SuperviseEndpoint(String uri, Component component, String name) {
        super(uri, component, name);
    }

    @Override
    public SuperviseComponent getComponent() {
        return (SuperviseComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() {
        String action = options.action();
        if (action == null) {
            throw new IllegalArgumentException("supervise:" + getName() + " producer needs action=start|stop|status");
        }
        SuperviseProducer.Action parsed;
        try {
            parsed = SuperviseProducer.Action.valueOf(action.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("supervise:" + getName() + " has unknown action '" + action
                    + "', expected start|stop|status", e);
        }
        return new SuperviseProducer(this, parsed, options.stopPolicy());
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        SuperviseConsumer consumer = new SuperviseConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    /** The options given in this endpoint's URI, the others at their defaults. */
    SuperviseOptions options() {
        return options;
    }

    void options(SuperviseOptions options) {
        this.options = options;
    }
}
