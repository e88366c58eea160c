package dev.myelin.clientapi;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The client API reaches the user API only through its {@code api} package (ARCHITECTURE.md §2). */
class ModuleBoundaryTest {
    @Test
    void clientapiUsesOnlyTheUserApisPublicPackage() {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.myelin.clientapi");
        noClasses().that().resideInAPackage("dev.myelin.clientapi..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.myelin.userapi.internal..", "dev.myelin.userapi.storage..")
                .check(classes);
    }

    @Test
    void clientapiUsesOnlyTheRoomserversPublicPackage() {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.myelin.clientapi");
        noClasses().that().resideInAPackage("dev.myelin.clientapi..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.myelin.roomserver.internal..", "dev.myelin.roomserver.storage..")
                .check(classes);
    }
}
