package dev.pgentrypoint.supervise;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;

/** Emits one exchange each time its child exits without a stop having been requested. */
final class SuperviseConsumer extends DefaultConsumer {

    SuperviseConsumer(SuperviseEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
    }

    @Override
    public SuperviseEndpoint getEndpoint() {
        return (SuperviseEndpoint) super.getEndpoint();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        getEndpoint().getComponent().register(this);
    }

    @Override
    protected void doStop() throws Exception {
        getEndpoint().getComponent().unregister(this);
        super.doStop();
    }

    void childExited(Child child, int exitCode) {
        Exchange exchange = createExchange(false);
        try {
            exchange.getIn().setBody(exitCode);
            exchange.getIn().setHeader(SuperviseConstants.NAME, child.name());
            exchange.getIn().setHeader(SuperviseConstants.PID, child.pid());
            exchange.getIn().setHeader(SuperviseConstants.EXIT_CODE, exitCode);
            exchange.getIn().setHeader(SuperviseConstants.LAST_OUTPUT, child.lastOutput());
            getProcessor().process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        }
        if (exchange.getException() != null) {
            getExceptionHandler().handleException("Error processing unexpected exit of child '" + child.name() + "'",
                    exchange, exchange.getException());
        }
        releaseExchange(exchange, false);
    }
}
