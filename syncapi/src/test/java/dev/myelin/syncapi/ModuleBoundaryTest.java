package dev.myelin.syncapi;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Syncapi reaches the roomserver and the userapi only through their {@code api} packages (ARCHITECTURE.md §2):
 * in particular it reads event JSON through the roomserver's EventStore, never its tables.
 */
class ModuleBoundaryTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.myelin.syncapi");

    @Test
    void usesOnlyThePublicPackagesOfOtherComponents() {
        noClasses().that().resideInAPackage("dev.myelin.syncapi..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.myelin.roomserver.internal..",
                        "dev.myelin.roomserver.storage..", "dev.myelin.userapi.internal..", "dev.myelin.userapi.storage..")
                .check(CLASSES);
    }
}
