//! OAuth2 client-credentials token cache shared by the Lumen carriers. (Being written.)
