package dev.pgentrypoint.supervise;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertyConfigurer;
import org.apache.camel.support.component.PropertyConfigurerSupport;

/**
 * Binds the URI options of a {@link SuperviseEndpoint} to its {@link SuperviseOptions}: the value is converted to
 * the option's type, a {@code #name} or {@code #bean:name} reference is looked up in the registry. An option that
 * is not one of these is left to Camel, which binds the general endpoint options and refuses any other.
 */
final class SuperviseOptionsConfigurer implements PropertyConfigurer {

    @Override
    public boolean configure(CamelContext camelContext, Object target, String name, Object value, boolean ignoreCase) {
        SuperviseEndpoint endpoint = (SuperviseEndpoint) target;
        return SuperviseOptions.option(name, ignoreCase).map(option -> {
            Object converted = PropertyConfigurerSupport.property(camelContext, option.getType(), value);
            endpoint.options(endpoint.options().with(option, converted));
            return true;
        }).orElse(false);
    }
}
