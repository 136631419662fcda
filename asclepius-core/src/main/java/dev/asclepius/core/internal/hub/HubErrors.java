package dev.asclepius.core.internal.hub;

import dev.asclepius.core.hub.HubAccessException;
import dev.asclepius.core.hub.HubException;
import dev.asclepius.core.hub.HubNotFoundException;
import java.net.URI;
import java.net.http.HttpResponse;

/** The hub downloader's error messages: what went wrong and what to do (token, license, id, network, disk). */
final class HubErrors {
    private HubErrors() {
    }

    /** The error for a non-success status: missing repository/revision/file, gated or private, or a failing hub. */
    static HubException status(URI endpoint, String token, HttpResponse<?> r, String repoId, String revision, String file) {
        int s = r.statusCode();
        String code = r.headers().firstValue("X-Error-Code").orElse("");
        String page = endpoint + "/" + repoId;
        String thing = file == null ? "model " + repoId + " at revision \"" + revision + "\""
                : file + " of model " + repoId + " at revision \"" + revision + "\"";
        if (code.equals("RepoNotFound") || code.equals("RevisionNotFound") || code.equals("EntryNotFound") || s == 404) {
            String why = switch (code) {
                case "RevisionNotFound" -> "the revision \"" + revision + "\" does not exist in " + repoId;
                case "EntryNotFound" -> "the repository has no file " + file + " at that revision";
                default -> file == null ? "no model " + repoId + " with a revision \"" + revision + "\" exists there"
                        : "not found";
            };
            return new HubNotFoundException("The hub at " + endpoint + " has no " + thing + " (HTTP " + s + ": " + why
                    + "). Check the id (\"org/name\", as on " + page + ") and the revision (a branch, tag or commit)"
                    + (token == null ? "; a private repository also reads as missing without HF_TOKEN" : ""));
        }
        if (s == 401 || s == 403) {
            String tokenHint = token == null
                    ? "no token was sent: set HF_TOKEN (or the builder's token(...)) to an access token of an account"
                            + " that was granted access"
                    : "the token that was sent was refused or has no access: check HF_TOKEN (a read token of the account"
                            + " that accepted the license)";
            return new HubAccessException("Access to " + thing + " was refused (HTTP " + s
                    + (code.isEmpty() ? "" : ", " + code) + "): the model is gated or private. Accept its license on "
                    + page + " while logged in, and " + tokenHint + ". Tokens: " + endpoint + "/settings/tokens");
        }
        return new HubException("The hub at " + endpoint + " answered HTTP " + s + " for " + thing
                + (s >= 500 ? "; the hub may be down, try again later" : ""));
    }

    static HubException unreachable(URI endpoint, String what, Throwable e) {
        return new HubException("Cannot reach the hub at " + endpoint + " for " + what + ": " + e
                + ". Check the network (or HF_ENDPOINT); to use only what is already in the cache set HF_HUB_OFFLINE=1", e);
    }

    static HubException diskFull(HubCache cache, String file, String detail, Throwable cause) {
        return new HubException("No space left on device while downloading " + file + " into the hub cache folder "
                + cache.root() + " (" + detail + "). Free space there, or set HF_HUB_CACHE (or HF_HOME) to a folder on"
                + " a disk with room for the model; a partial download is kept as blobs/*.incomplete and resumes", cause);
    }

}
