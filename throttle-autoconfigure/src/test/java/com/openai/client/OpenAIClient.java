package com.openai.client;

/**
 * Test stand-in for openai-java's client interface, so that a bean of this type can be
 * declared without the SDK: the starter detects SDK clients by class name.
 */
public interface OpenAIClient {

}
