package souk.gateway.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNotNull;

class ApiDocsTest {

  @Test
  void swagger_ui_is_on_the_classpath_at_the_pinned_version() {
    // fails when the parent pom's swagger-ui version and ApiDocs.SWAGGER_UI drift apart
    ClassLoader loader = getClass().getClassLoader();
    assertNotNull(loader.getResource(ApiDocs.SWAGGER_UI + "/swagger-ui-bundle.js"));
    assertNotNull(loader.getResource(ApiDocs.SWAGGER_UI + "/swagger-ui.css"));
  }

  @Test
  void the_spec_and_the_docs_page_are_packaged() {
    ClassLoader loader = getClass().getClassLoader();
    assertNotNull(loader.getResource("openapi.yaml"));
    assertNotNull(loader.getResource("webroot/docs/index.html"));
  }
}
