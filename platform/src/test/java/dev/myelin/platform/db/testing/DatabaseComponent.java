package dev.myelin.platform.db.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Names the component whose migrations {@link DatabaseTest} applies to the {@code Database} it hands out. */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface DatabaseComponent {
    /** The component, as in {@code db/<component>/<dialect>/V1__….sql}. */
    String value();
}
