package dev.pgentrypoint.supervise;

import dev.pgentrypoint.camel.NamedEndpoint;
import java.time.Duration;
import java.util.Locale;
import org.apache.camel.Category;
import org.apache.camel.Component;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;

/** Endpoint {@code supervise:<name>}: producer starts/stops/queries the child, consumer receives its unexpected exits. */
@UriEndpoint(firstVersion = "0.1.0", scheme = "supervise", title = "Supervise", syntax = "supervise:name",
        category = Category.CORE)
public class SuperviseEndpoint extends NamedEndpoint {

    @UriParam(label = "producer", enums = "start,stop,status")
    private String action;
    @UriParam
    private ReadinessCheck readyCheck;
    @UriParam
    private EscalationTarget escalateTarget;
    @UriParam
    private String workingDir;
    @UriParam(defaultValue = "50")
    private long readyPollMillis = 50;
    @UriParam(defaultValue = "60")
    private long readyTimeout = 60;
    @UriParam(defaultValue = "INT")
    private String stopSignal = "INT";
    @UriParam(defaultValue = "30")
    private long stopTimeout = 30;
    @UriParam(defaultValue = "QUIT")
    private String escalateSignal = "QUIT";
    @UriParam(defaultValue = "5")
    private long escalateTimeout = 5;

    SuperviseEndpoint(String uri, Component component, String name) {
        super(uri, component, name);
    }

    @Override
    public SuperviseComponent getComponent() {
        return (SuperviseComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() {
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
        return new SuperviseProducer(this, parsed, stopPolicy());
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        SuperviseConsumer consumer = new SuperviseConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    StopPolicy stopPolicy() {
        return new StopPolicy(stopSignal, Duration.ofSeconds(stopTimeout), escalateSignal,
                Duration.ofSeconds(escalateTimeout), escalateTarget);
    }

    public String getAction() {
        return action;
    }

    /** {@code start}, {@code stop} or {@code status}. */
    public void setAction(String action) {
        this.action = action;
    }

    public ReadinessCheck getReadyCheck() {
        return readyCheck;
    }

    /** Polled after start until it reports ready; without it the child is ready once started. */
    public void setReadyCheck(ReadinessCheck readyCheck) {
        this.readyCheck = readyCheck;
    }

    public long getReadyPollMillis() {
        return readyPollMillis;
    }

    public void setReadyPollMillis(long readyPollMillis) {
        this.readyPollMillis = readyPollMillis;
    }

    public long getReadyTimeout() {
        return readyTimeout;
    }

    /** Seconds to wait for readiness before the child is stopped and the start fails. */
    public void setReadyTimeout(long readyTimeout) {
        this.readyTimeout = readyTimeout;
    }

    public String getStopSignal() {
        return stopSignal;
    }

    public void setStopSignal(String stopSignal) {
        this.stopSignal = stopSignal;
    }

    public long getStopTimeout() {
        return stopTimeout;
    }

    /** Seconds to wait after the stop signal before escalating. */
    public void setStopTimeout(long stopTimeout) {
        this.stopTimeout = stopTimeout;
    }

    public String getEscalateSignal() {
        return escalateSignal;
    }

    public void setEscalateSignal(String escalateSignal) {
        this.escalateSignal = escalateSignal;
    }

    public long getEscalateTimeout() {
        return escalateTimeout;
    }

    /** Seconds to wait after the escalation signal before SIGKILL. */
    public void setEscalateTimeout(long escalateTimeout) {
        this.escalateTimeout = escalateTimeout;
    }

    public EscalationTarget getEscalateTarget() {
        return escalateTarget;
    }

    /** Names the process that receives the escalation signal instead of the child, when there is one. */
    public void setEscalateTarget(EscalationTarget escalateTarget) {
        this.escalateTarget = escalateTarget;
    }

    public String getWorkingDir() {
        return workingDir;
    }

    public void setWorkingDir(String workingDir) {
        this.workingDir = workingDir;
    }
}
