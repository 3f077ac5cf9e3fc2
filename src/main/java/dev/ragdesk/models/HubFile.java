package dev.ragdesk.models;

import okhttp3.HttpUrl;

/**
 * One file on the Hugging Face Hub as a HEAD request describes it.
 *
 * @param sha256 the LFS content hash (X-Linked-Etag), or empty for a small non-LFS file
 * @param commit the commit the revision resolved to (X-Repo-Commit), or empty
 */
public record HubFile(String repo, String revision, String file, long size, String sha256, String commit, HttpUrl url) {
    public String displayName() { return repo + ":" + file; }
}
