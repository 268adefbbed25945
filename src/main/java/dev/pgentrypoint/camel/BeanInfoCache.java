package dev.pgentrypoint.camel;

import org.apache.camel.CamelContext;
import org.apache.camel.component.bean.BeanComponent;
import org.apache.camel.support.service.ServiceHelper;

/**
 * Makes Camel introspect each bean class once instead of once per {@code bean:} step or {@code method:}
 * expression.
 *
 * <p>Camel's bean component keeps its cache of introspected classes only once it is started, and Camel
 * starts it after the routes are built: until then every step that calls a bean reflects over all the
 * public methods of its class again. With some 200 such steps over 25 bean classes, that was about a
 * sixth of a start (docs/performance.md, "Startup"). Started before the routes are built, the component
 * answers all but the first step of each class from its cache.
 */
public final class BeanInfoCache {

    private BeanInfoCache() {
    }

    /** Starts the context's bean component now, so that building the routes fills and reads its cache. */
    public static void enable(CamelContext context) {
        ServiceHelper.startService(context.getComponent("bean", BeanComponent.class));
    }

    /** How many introspected classes the bean component holds (0 before it is started). */
    public static int size(CamelContext context) {
        return context.getComponent("bean", BeanComponent.class).getCurrentBeanCacheSize();
    }
}
