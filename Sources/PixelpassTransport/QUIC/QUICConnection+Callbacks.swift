internal import CNgtcp2

/// QUIC version 1 (RFC 9000); ngtcp2's macro is a cast Swift cannot import.
let quicVersion1: UInt32 = 0x0000_0001

// C callbacks for ngtcp2. Each is a capture-free thunk that recovers the
// `QUICConnection` from user_data and forwards. The pointer is unretained:
// the connection owns the ngtcp2_conn, so it outlives every callback.
extension QUICConnection {
    static func callbacks(server: Bool) -> ngtcp2_callbacks {
        var cb = ngtcp2_callbacks()
        if server {
            cb.recv_client_initial = ngtcp2_crypto_recv_client_initial_cb
            cb.recv_tx_key = { _, level, userData in
                guard level == NGTCP2_CRYPTO_LEVEL_APPLICATION else { return 0 }
                return QUICConnection.from(userData).reportingApplicationErrors { try $0.streamsReady() }
            }
            cb.extend_max_remote_streams_bidi = { _, maxStreams, userData in
                QUICConnection.from(userData).application?.peerMayOpenStreams(maxStreams)
                return 0
            }
        } else {
            cb.client_initial = ngtcp2_crypto_client_initial_cb
            cb.recv_retry = ngtcp2_crypto_recv_retry_cb
            cb.recv_rx_key = { _, level, userData in
                guard level == NGTCP2_CRYPTO_LEVEL_APPLICATION else { return 0 }
                return QUICConnection.from(userData).reportingApplicationErrors { try $0.streamsReady() }
            }
        }
        cb.recv_crypto_data = ngtcp2_crypto_recv_crypto_data_cb
        cb.encrypt = ngtcp2_crypto_encrypt_cb
        cb.decrypt = ngtcp2_crypto_decrypt_cb
        cb.hp_mask = ngtcp2_crypto_hp_mask_cb
        cb.update_key = ngtcp2_crypto_update_key_cb
        cb.delete_crypto_aead_ctx = ngtcp2_crypto_delete_crypto_aead_ctx_cb
        cb.delete_crypto_cipher_ctx = ngtcp2_crypto_delete_crypto_cipher_ctx_cb
        cb.get_path_challenge_data = ngtcp2_crypto_get_path_challenge_data_cb
        cb.version_negotiation = ngtcp2_crypto_version_negotiation_cb

        cb.handshake_completed = { _, userData in
            QUICConnection.from(userData).didCompleteHandshake()
            return 0
        }
        cb.rand = { dest, length, _ in
            SecureRandom.fill(dest, length)
        }
        cb.get_new_connection_id = { _, cid, token, length, userData in
            guard let cid else { return NGTCP2_ERR_CALLBACK_FAILURE }
            QUICConnection.from(userData).issueConnectionID(into: cid, token: token, length: length)
            return 0
        }
        cb.remove_connection_id = { _, cid, userData in
            guard let cid else { return 0 }
            QUICConnection.from(userData).retireConnectionID(ConnectionID(cid.pointee))
            return 0
        }
        cb.recv_stream_data = { _, flags, streamID, _, data, length, userData, _ in
            let connection = QUICConnection.from(userData)
            let fin = flags & UInt32(NGTCP2_STREAM_DATA_FLAG_FIN) != 0
            return connection.reportingApplicationErrors { application in
                let consumed = try application.receive(UnsafeRawBufferPointer(start: data, count: length),
                                                       on: streamID, fin: fin)
                connection.consumed(consumed, on: streamID)
            }
        }
        cb.acked_stream_data_offset = { _, streamID, _, length, userData, _ in
            QUICConnection.from(userData).reportingApplicationErrors { try $0.acknowledged(Int(length), on: streamID) }
        }
        cb.stream_close = { _, flags, streamID, appErrorCode, userData, _ in
            let connection = QUICConnection.from(userData)
            let code = flags & UInt32(NGTCP2_STREAM_CLOSE_FLAG_APP_ERROR_CODE_SET) != 0 ? appErrorCode : nil
            connection.credit.forget(streamID)
            connection.returnStreamCredit(for: streamID)
            // A failure here is reported as the connection's close code, but
            // ngtcp2 is not failed from inside its stream-close callback.
            _ = connection.reportingApplicationErrors { try $0.streamClosed(streamID, applicationError: code) }
            return 0
        }
        cb.recv_stateless_reset = { _, _, userData in
            QUICConnection.from(userData).receivedStatelessReset = true
            return 0
        }
        cb.stream_reset = { _, streamID, _, _, userData, _ in
            QUICConnection.from(userData).application?.peerAbandoned(streamID)
            return 0
        }
        cb.stream_stop_sending = { _, streamID, _, userData, _ in
            QUICConnection.from(userData).application?.peerAbandoned(streamID)
            return 0
        }
        cb.extend_max_stream_data = { _, streamID, _, userData, _ in
            QUICConnection.from(userData).application?.streamUnblocked(streamID)
            return 0
        }
        return cb
    }

    /// Runs application work inside a callback; a failure becomes the
    /// connection's close code and a callback failure for ngtcp2.
    fileprivate func reportingApplicationErrors(_ body: (QUICApplication) throws -> Void) -> Int32 {
        guard let application else { return 0 }
        do {
            try body(application)
            return 0
        } catch {
            pendingApplicationError = applicationCode(of: error)
            return NGTCP2_ERR_CALLBACK_FAILURE
        }
    }
}
