package io.pangaea.http;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import javax.security.auth.login.FailedLoginException;
import javax.security.auth.login.LoginException;
import javax.security.auth.spi.LoginModule;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** HTTP principals from a JAAS realm: its users get in, others do not, and a success is not asked again at once. */
public class JaasVerifierTest {

    static final AtomicInteger LOGINS = new AtomicInteger();
    private Configuration before;

    /** A realm of one user, alice, with the password "wonderland". */
    public static final class OneUser implements LoginModule {
        private CallbackHandler handler;

        @Override
        public void initialize(Subject subject, CallbackHandler handler, Map<String, ?> shared, Map<String, ?> options) {
            this.handler = handler;
        }

        @Override
        public boolean login() throws LoginException {
            LOGINS.incrementAndGet();
            NameCallback name = new NameCallback("user");
            PasswordCallback password = new PasswordCallback("password", false);
            try {
                handler.handle(new Callback[] {name, password});
            } catch (Exception e) {
                throw new LoginException(e.getMessage());
            }
            if (!"alice".equals(name.getName()) || !"wonderland".equals(new String(password.getPassword()))) {
                throw new FailedLoginException("no");
            }
            return true;
        }

        @Override
        public boolean commit() {
            return true;
        }

        @Override
        public boolean abort() {
            return true;
        }

        @Override
        public boolean logout() {
            return true;
        }
    }

    @Before
    public void realm() {
        before = Configuration.getConfiguration();
        Configuration.setConfiguration(new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                return name.equals("test-realm") ? new AppConfigurationEntry[] {new AppConfigurationEntry(
                        OneUser.class.getName(), AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, Map.of())}
                        : null;
            }
        });
    }

    @After
    public void restore() {
        Configuration.setConfiguration(before);
    }

    @Test
    public void theRealmsUsersGetInAndASuccessIsRemembered() {
        JaasVerifier jaas = new JaasVerifier("test-realm");
        int logins = LOGINS.get();
        assertTrue(jaas.verify("alice", "wonderland"));
        assertTrue(jaas.verify("alice", "wonderland"));
        assertEquals("the second time is remembered", logins + 1, LOGINS.get());
        assertFalse(jaas.verify("alice", "looking-glass"));
        assertFalse(jaas.verify("bob", "wonderland"));
        assertFalse("no such realm", new JaasVerifier("no-realm").verify("alice", "wonderland"));
    }

    @Test
    public void theCredentialsFileComesFirstThenTheRealm() {
        HttpAuthentication auth = new HttpAuthentication(Set.of(HttpAuthentication.MASTER_READONLY),
                Map.of("ops", "s3cret"), new JaasVerifier("test-realm"));
        assertEquals("ops", auth.principal(HttpAuthentication.basic("ops", "s3cret")));
        assertEquals("alice", auth.principal(HttpAuthentication.basic("alice", "wonderland")));
        assertNull(auth.principal(HttpAuthentication.basic("alice", "s3cret")));
        assertNull("a principal of the file is not asked of the realm", auth.principal(
                HttpAuthentication.basic("ops", "wonderland")));
    }
}
